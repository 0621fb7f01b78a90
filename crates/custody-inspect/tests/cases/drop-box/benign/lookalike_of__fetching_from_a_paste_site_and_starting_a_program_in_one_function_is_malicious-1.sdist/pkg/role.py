import subprocess, requests

def fetch():
    return requests.get('https://pastebin.com/raw/placeholder').text

def commit():
    subprocess.run(['git', 'commit'])
