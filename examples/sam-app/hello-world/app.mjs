// The `sam init` hello world handler (Node.js, ES module).
export const lambdaHandler = async () => ({
  statusCode: 200,
  body: JSON.stringify({ message: `${process.env.GREETING} world` })
})
