"""A custom model server in Python, as a data scientist might write one.

It speaks the part of the Open Inference Protocol v2 (REST) that kubox and
the model-serving chart use, and serves the XGBoost model kubox places in
the image under $KUBOX_MODEL_PATH, with the xgboost library itself.
Standard library only, besides numpy and xgboost.
"""
import glob
import json
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import xgboost as xgb

NAME = os.environ["KUBOX_MODEL_NAME"]
VERSION = os.environ.get("KUBOX_MODEL_VERSION", "1")
PATH = os.environ["KUBOX_MODEL_PATH"]
PORT = int(os.environ.get("KUBOX_PORT", "8080"))

model_file = PATH if os.path.isfile(PATH) else glob.glob(os.path.join(PATH, "*.json"))[0]
booster = xgb.Booster()
booster.load_model(model_file)


class Handler(BaseHTTPRequestHandler):
    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path in ("/v2/health/live", "/v2/health/ready", f"/v2/models/{NAME}/ready"):
            self.reply(200, {"ready": True})
        elif self.path == f"/v2/models/{NAME}":
            self.reply(200, {"name": NAME, "versions": [VERSION], "platform": "python-xgboost"})
        else:
            self.reply(404, {"error": f"no endpoint {self.path}"})

    def do_POST(self):
        if self.path != f"/v2/models/{NAME}/infer":
            self.reply(404, {"error": f"no endpoint {self.path}"})
            return
        try:
            req = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            x = req["inputs"][0]
            rows = np.asarray(x["data"], dtype=np.float32).reshape(x["shape"])
            pred = booster.inplace_predict(rows)
        except Exception as e:  # a bad request, said plainly
            self.reply(400, {"error": str(e)})
            return
        self.reply(200, {"model_name": NAME, "model_version": VERSION, "id": req.get("id", ""),
                         "outputs": [{"name": "predict", "datatype": "FP32",
                                      "shape": list(pred.shape), "data": pred.ravel().tolist()}]})

    def log_message(self, fmt, *args):
        pass


server = ThreadingHTTPServer(("", PORT), Handler)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
print(f"serving {NAME} {VERSION} from {model_file} on :{PORT}", flush=True)
server.serve_forever()
