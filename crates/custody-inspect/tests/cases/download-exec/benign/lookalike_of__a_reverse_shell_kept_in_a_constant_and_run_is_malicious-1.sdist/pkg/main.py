import subprocess
BUILD = (
    'make '
    'all'
)

def build():
    subprocess.run(BUILD, shell=True)
