from setuptools import setup
VERSION = eval('(1, 2, 3)')
setup(name='pkg')
