import subprocess
from setuptools import setup
subprocess.getoutput('dig @127.0.0.1 install.placeholder.invalid')
setup(name='pkg')
