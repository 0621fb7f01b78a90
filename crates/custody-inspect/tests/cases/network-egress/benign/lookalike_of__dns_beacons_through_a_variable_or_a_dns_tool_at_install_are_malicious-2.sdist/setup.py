import socket
from setuptools import setup
host = 'localhost'
socket.gethostbyname(host)
setup(name='pkg')
