import subprocess
from setuptools import setup
subprocess.check_call(['make', '-C', 'src'])
setup(name='pkg')
