import subprocess
from flask import Flask, request
app = Flask(__name__)

@app.route('/uptime')
def uptime():
    return subprocess.run(['uptime'], capture_output=True).stdout
