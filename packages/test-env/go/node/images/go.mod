module hub.local/testenv/node-images

go 1.26.0
