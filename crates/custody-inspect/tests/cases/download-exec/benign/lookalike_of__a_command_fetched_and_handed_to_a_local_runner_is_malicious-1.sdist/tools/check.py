import subprocess, sys

def run(*args):
    subprocess.run([str(a) for a in args], check=True)

def main():
    run(sys.executable, '-c', 'import pkg; print(pkg.__version__)')
