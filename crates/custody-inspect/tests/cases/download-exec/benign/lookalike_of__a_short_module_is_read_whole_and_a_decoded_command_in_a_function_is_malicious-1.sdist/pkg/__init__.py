import subprocess
def version():
    return subprocess.run(['git', 'describe'], capture_output=True).stdout
