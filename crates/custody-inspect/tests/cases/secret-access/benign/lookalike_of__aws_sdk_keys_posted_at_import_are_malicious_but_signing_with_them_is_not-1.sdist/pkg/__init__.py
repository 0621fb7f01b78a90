import boto3, requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

def query(session, url, data):
    credentials = session.get_credentials()
    credentials = credentials.get_frozen_credentials()
    request = AWSRequest(method='POST', url=url, data=data)
    SigV4Auth(credentials, 'neptune-db', 'us-east-1').add_auth(request)
    return requests.post(url, headers=dict(request.headers), data=data)

query(boto3.Session(), 'http://127.0.0.1:9/', '{}')
