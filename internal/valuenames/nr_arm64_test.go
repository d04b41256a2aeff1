package valuenames

const nrOpenat, nrExitGroup = 56, 94
