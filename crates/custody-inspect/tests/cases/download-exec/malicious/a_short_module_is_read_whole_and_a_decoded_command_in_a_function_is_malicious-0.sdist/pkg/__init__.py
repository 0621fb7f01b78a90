import os, base64
def get(tag='x'):
    print('fetching')
    os.system(base64.b64decode('ZWNobyBoaQ=='))
