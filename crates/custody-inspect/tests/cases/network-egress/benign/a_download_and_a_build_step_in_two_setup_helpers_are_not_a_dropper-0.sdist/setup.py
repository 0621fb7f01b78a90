import subprocess, urllib.request
from setuptools import setup
def fonts():
    return urllib.request.urlopen('http://127.0.0.1:9/fonts.zip').read()
def build():
    subprocess.call(['make'])
fonts()
build()
setup(name='pkg')
