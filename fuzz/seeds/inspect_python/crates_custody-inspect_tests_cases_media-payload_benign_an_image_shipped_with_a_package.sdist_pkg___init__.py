import os
LOGO = os.path.join(os.path.dirname(__file__), 'logo.png')
