import base64, subprocess

def show():
    print(base64.b64decode('anVzdCBhIGxvbmcgc2VudGVuY2Ugb2YgcGxhaW4gdGV4dA==').decode())
    subprocess.run(['ls'])
