import subprocess, urllib.request
from setuptools import setup
data = urllib.request.urlopen('http://127.0.0.1:9/x').read()
subprocess.call(['sh', '-c', 'true'])
setup(name='pkg')
