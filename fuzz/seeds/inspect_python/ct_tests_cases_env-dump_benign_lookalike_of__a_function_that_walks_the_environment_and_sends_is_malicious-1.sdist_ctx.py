from os import environ

def show():
    for k, v in environ.items():
        print(k, v)
