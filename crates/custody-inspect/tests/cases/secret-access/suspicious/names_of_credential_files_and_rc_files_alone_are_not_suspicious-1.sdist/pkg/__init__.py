import os
CREDENTIALS = os.path.expanduser('~/.aws/credentials')
RC_FILES = ['.bashrc', '.zshrc']
import subprocess
subprocess.run(['true'])
