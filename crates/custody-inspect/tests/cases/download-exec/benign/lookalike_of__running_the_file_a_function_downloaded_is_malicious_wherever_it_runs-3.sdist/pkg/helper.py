import subprocess, urllib.request

def unpack(url, path):
    urllib.request.urlretrieve(url, path)
    subprocess.run(['tar', 'xf', path], check=True)
