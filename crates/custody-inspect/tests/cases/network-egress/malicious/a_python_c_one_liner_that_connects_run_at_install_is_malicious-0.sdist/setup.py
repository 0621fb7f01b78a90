import os
from setuptools import setup
from setuptools.command.install import install
class I(install):
    def run(self):
        url = 'http://127.0.0.1:9/t'
        os.system('''python3 -c "import requests;print(requests.get(''' + repr(url) + ''').text)" > /tmp/out''')
        install.run(self)
setup(name='pkg', cmdclass={'install': I})
