import os, base64
from setuptools import setup
def b64d(s):
    return base64.b64decode(s).decode()
os.system(b64d('ZWNobyBoZWxsbw=='))
setup(name='pkg')
