import os, subprocess
from setuptools import setup
env = os.environ.copy()
subprocess.check_call(['cc', '--version'], env=env)
setup(name='pkg')
