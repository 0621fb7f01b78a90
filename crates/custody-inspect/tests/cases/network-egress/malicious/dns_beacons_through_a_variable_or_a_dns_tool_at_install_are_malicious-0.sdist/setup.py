import socket
from setuptools import setup
from setuptools.command.install import install
class I(install):
    def run(self):
        hostname = f"probe.placeholder.invalid"
        socket.gethostbyname(hostname)
        install.run(self)
setup(name='pkg', cmdclass={'install': I})
