import os
GCP_CONFIG = '~/.config/gcloud/configurations/config_default'
RC = os.path.expanduser(os.path.join('~', '.bashrc'))
INSTALL = 'pushd /tmp && curl -sSL https://dl.google.com/sdk.tar.gz -o sdk.tar.gz && tar xzf sdk.tar.gz'
