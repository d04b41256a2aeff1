package valuenames

const nrOpenat, nrExitGroup = 257, 231
