import base64, subprocess
def go():
    encoded = 'ZWNobyBoaQ=='
    cmd = base64.b64decode(encoded).decode('utf-8')
    subprocess.run(cmd, shell=True)
go()
from setuptools import setup
setup(name='pkg')
