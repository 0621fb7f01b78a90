import webbrowser

def docs():
    webbrowser.open('https://127.0.0.1:9/')
