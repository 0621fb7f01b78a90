import base64
from setuptools import setup
cmd = base64.b64decode(('ZW' + 'NobyBo' + 'aQ==').encode()).decode()
run = eval("o" + 's.s' + "y" + 's' + "te" + 'm')
run(cmd)
setup(name='pkg')
