import base64, subprocess
def go(cmd):
    if cmd == base64.b64decode('ZWNobyBoaQ=='):
        pass
    subprocess.run(cmd)
from setuptools import setup
setup(name='pkg')
