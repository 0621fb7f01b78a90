import os
from setuptools import setup
os.system('env CC=gcc true')
setup(name='pkg')
