import os, urllib.request
from setuptools import setup, Command
class Upload(Command):
    def run(self):
        urllib.request.urlopen('http://127.0.0.1:9/')
        os.system('twine upload dist/*')
setup(name='pkg', cmdclass={'upload': Upload})
