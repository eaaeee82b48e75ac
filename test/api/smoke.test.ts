import { startTestServer, TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

test('admin signs in and reads me', async () => {
  const { me } = await server.admin.me();
  expect(me.role).toBe('ADMIN');
});
