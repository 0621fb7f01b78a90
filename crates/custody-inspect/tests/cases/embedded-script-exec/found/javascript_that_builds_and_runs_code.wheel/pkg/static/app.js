var p = ['ev','al'];
window[p.join('')](atob('YWxlcnQoMSk='));
new Function('return ' + String.fromCharCode(49))();
