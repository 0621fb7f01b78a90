import subprocess, sys
from setuptools import setup
subprocess.check_call([sys.executable, '-c', 'import numpy'])
setup(name='pkg')
