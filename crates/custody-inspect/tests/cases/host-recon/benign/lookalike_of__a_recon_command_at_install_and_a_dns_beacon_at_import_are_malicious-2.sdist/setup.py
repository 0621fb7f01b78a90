import subprocess
from setuptools import setup
arch = subprocess.check_output(['uname', '-m'])
setup(name='pkg')
