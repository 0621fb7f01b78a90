import os
from setuptools import setup
os.system('whoami')
setup(name='pkg')
